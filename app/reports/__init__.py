"""Reports: sales, fees, the solidarity fund and balances, read from orders and the ledger."""
