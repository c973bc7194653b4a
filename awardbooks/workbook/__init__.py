"""A school's workbook: the layout shared by writer and reader, scoring, rendering with xlsxwriter."""
