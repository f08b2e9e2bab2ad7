"""Dashboard tests run on the known data set of support.sales_data."""

from support.sales_data import sales_data  # noqa: F401
