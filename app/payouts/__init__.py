"""Paying cooperatives what they are owed: runs, approval, execution, bank batches."""
