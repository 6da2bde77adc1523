import marshmallow as ma


class NeighbourhoodSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(dump_only=True)
    households = ma.fields.Integer(dump_only=True)
