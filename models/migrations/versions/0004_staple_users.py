"""Staple REST API: its users (each owns an account) and the server's signing secrets

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 05:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staple_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=128), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_staple_users_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staple_users'))
    )
    with op.batch_alter_table('staple_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staple_users_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staple_users_username'), ['username'], unique=True)

    op.create_table('server_secrets',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_server_secrets'))
    )


def downgrade() -> None:
    op.drop_table('server_secrets')
    with op.batch_alter_table('staple_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staple_users_username'))
        batch_op.drop_index(batch_op.f('ix_staple_users_account_id'))
    op.drop_table('staple_users')
