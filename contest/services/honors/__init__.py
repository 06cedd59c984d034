"""Honors and the wall: writing honor records, the historical roster import/export, and the
public wall's lists, profiles and statistics."""
