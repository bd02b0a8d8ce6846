"""The bundled replay fixture: five seed articles and their manifest."""
