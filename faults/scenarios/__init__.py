"""The fault scenarios, one module each, in the order the suite runs them."""
