"""One module per capture family; each defines build(outdir)."""
