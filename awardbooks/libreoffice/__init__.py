"""Driving LibreOffice headless."""
