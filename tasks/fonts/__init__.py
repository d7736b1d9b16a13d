"""Fonts for text xhtml2pdf would draw as boxes: CJK faces, fallbacks per script, web-font families and formats."""
