"""hostclaim.letters"""
