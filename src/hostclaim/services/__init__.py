"""hostclaim.services"""
