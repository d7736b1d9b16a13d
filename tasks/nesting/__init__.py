"""How deeply html5lib (xhtml2pdf's parser) would nest a document, found in one linear scan before it parses it."""
