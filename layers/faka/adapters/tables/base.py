"""What every table model shares: the tables' settings."""


class TableMeta:
    billing_mode = "PAY_PER_REQUEST"
