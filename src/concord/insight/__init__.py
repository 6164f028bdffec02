"""Insight and oversight (issue 15): effectiveness, consistency, oversight packs, good practice
and public statistics. The disclosure control engine of the public statistics is `disclosure`."""
