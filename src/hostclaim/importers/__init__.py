"""hostclaim.importers"""
