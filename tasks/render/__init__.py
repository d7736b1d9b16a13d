"""HTML to PDF with xhtml2pdf: the pure renderer, its progress, page setup, assets, resource policy and failures."""
