"""Imports of CSV/XLSX files through the domain services, rented-list purges,
web-to-lead forms and exports of list views."""
