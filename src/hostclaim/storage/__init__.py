"""hostclaim.storage"""
