"""hostclaim.cli"""
