"""hostclaim.data"""
