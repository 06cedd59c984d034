"""Labor competitions and union ratings (劳动竞赛, 安康杯, 六好 / 职工之家): DOMAIN §2."""
