"""The transparency site: pages rendered from the read models, published as files or served live."""
