"""Opportunities: potential sales with value, close date and probability; and qualification,
which turns a lead into an opportunity with its customer."""
