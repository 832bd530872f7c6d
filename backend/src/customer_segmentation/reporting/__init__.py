"""Human-facing outputs: figures and the plain-language summary."""
