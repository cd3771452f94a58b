"""Product catalog and pricing: units, products, price lists, discount lists, line math."""
