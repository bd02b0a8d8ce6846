"""Where articles come from: feeds and their pages over HTTP, replayed files and web archives."""
