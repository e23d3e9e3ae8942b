"""Analytics: pure functions over arrays and frames; the database code lives beside them."""
