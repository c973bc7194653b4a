"""A school's workbook: the layout shared by writer and reader, scoring, and rendering with
xlsxwriter."""
