"""Pure science: numpy and the standard library only, no Django, no database.

Codecs turn bytes into canonical observations, QC checks flag arrays of values, and the element
vocabulary ties CMA element codes to BUFR, CF and units. Everything here is benchmarked alone.
"""
