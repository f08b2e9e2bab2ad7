"""Fair-trade fee rules (data edited by admins) and the pure engine that applies them."""
