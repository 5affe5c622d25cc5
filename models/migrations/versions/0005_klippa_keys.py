"""Klippa Custom OCR API: sub keys, public keys and the scans they made

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('klippa_sub_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_klippa_sub_keys_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_klippa_sub_keys'))
    )
    with op.batch_alter_table('klippa_sub_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_klippa_sub_keys_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_klippa_sub_keys_token_hash'), ['token_hash'], unique=True)

    op.create_table('klippa_public_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scan_limit', sa.Integer(), nullable=True),
    sa.Column('scans_used', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_klippa_public_keys_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_klippa_public_keys'))
    )
    with op.batch_alter_table('klippa_public_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_klippa_public_keys_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_klippa_public_keys_token_hash'), ['token_hash'], unique=True)

    op.create_table('klippa_scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('key_kind', sa.String(length=16), nullable=False),
    sa.Column('key_id', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('group_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_klippa_scans_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_klippa_scans'))
    )
    with op.batch_alter_table('klippa_scans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_klippa_scans_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_klippa_scans_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_klippa_scans_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_klippa_scans_key_id'), ['key_id'], unique=False)


def downgrade() -> None:
    for table, indexes in (('klippa_scans', ('key_id', 'document_id', 'content_hash', 'account_id')),
                           ('klippa_public_keys', ('token_hash', 'account_id')),
                           ('klippa_sub_keys', ('token_hash', 'account_id'))):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in indexes:
                batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)
