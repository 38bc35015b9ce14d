"""Chorus: the monitoring and evidence platform of a global network of sex worker-led organisations."""
