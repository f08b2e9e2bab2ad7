"""Double-entry ledger: accounts, transactions, entries, balances."""
