"""Card payments (Stripe), webhooks, cash, pay at stand, refunds."""
