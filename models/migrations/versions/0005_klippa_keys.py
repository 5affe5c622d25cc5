"""Klippa Custom OCR API: sub keys, public keys, the scans they made, user data sets

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

    op.create_table('klippa_user_data_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('last_sync_date', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_klippa_user_data_sets_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_klippa_user_data_sets'))
    )
    with op.batch_alter_table('klippa_user_data_sets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_klippa_user_data_sets_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_klippa_user_data_sets_external_id'), ['external_id'], unique=False)

    op.create_table('klippa_user_data_set_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('last_sync_date', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['klippa_user_data_sets.id'], name=op.f('fk_klippa_user_data_set_records_set_id_klippa_user_data_sets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_klippa_user_data_set_records'))
    )
    with op.batch_alter_table('klippa_user_data_set_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_klippa_user_data_set_records_external_id'), ['external_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_klippa_user_data_set_records_set_id'), ['set_id'], unique=False)


def downgrade() -> None:
    for table, indexes in (('klippa_user_data_set_records', ('set_id', 'external_id')),
                           ('klippa_user_data_sets', ('external_id', 'account_id')),
                           ('klippa_scans', ('key_id', 'document_id', 'content_hash', 'account_id')),
                           ('klippa_public_keys', ('token_hash', 'account_id')),
                           ('klippa_sub_keys', ('token_hash', 'account_id'))):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in indexes:
                batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)
