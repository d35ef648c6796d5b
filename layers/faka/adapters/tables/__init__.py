"""DynamoDB tables as pynamodb models, one module per table: the single description of its keys and indexes.

A model lives in the module of the table that stores it, and code imports the modules of the tables it uses, so a
function loads only its own tables' models. CDK builds the tables from
:data:`faka.adapters.tables.schema.TABLE_MODELS` (``Model._get_schema()``) and the local runtime creates them from
the same models, so the key schema is written only here. Every item of a shop carries the shop in its partition key.
"""
