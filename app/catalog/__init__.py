"""What cooperatives sell: categories, products, stock, photos, labels, search."""
