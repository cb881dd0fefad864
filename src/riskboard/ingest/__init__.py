"""Workbook -> rows -> validated domain objects."""
