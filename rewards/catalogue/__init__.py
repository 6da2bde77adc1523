"""The reward catalogue: partners and their rewards, redeeming points for vouchers, and partners accepting them."""
