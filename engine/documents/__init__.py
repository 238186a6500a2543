"""Stage 1, load: documents read with positions, validated into models; pack manifests; applicants."""
