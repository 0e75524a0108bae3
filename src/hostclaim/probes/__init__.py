"""hostclaim.probes"""
