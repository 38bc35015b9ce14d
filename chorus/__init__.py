"""Chorus: monitoring and evidence for a global network of sex worker-led organisations."""
