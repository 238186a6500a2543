"""Stage 4, evaluate: backends that run the product IR on one applicant (traced interpreter, fused Python)."""
