# known-difference: docs/compatibility.md#supported the appliances have different optional groups
# supported: each optional group, yes or no
sparse d.img 1M
run
supported
