"""Itemize Enterprise API: account fields, upload metadata, callback URLs; scheduled webhook deliveries

Revision ID: 0006_itemize
Revises: 0005
Create Date: 2026-12-02 06:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_itemize'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('schedule', sa.JSON(), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.JSON(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('first_at', sa.Float(), nullable=False),
    sa.Column('next_at', sa.Float(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('last_status', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_next_at'), ['next_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_state'), ['state'], unique=False)

    op.create_table('itemize_accounts',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('company', sa.String(length=255), nullable=False),
    sa.Column('primary_contact', sa.String(length=255), nullable=False),
    sa.Column('email_address', sa.String(length=255), nullable=False),
    sa.Column('markets', sa.JSON(), nullable=False),
    sa.Column('country_code', sa.String(length=8), nullable=False),
    sa.Column('data_set', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_itemize_accounts_account_id_accounts')),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_itemize_accounts'))
    )

    op.create_table('itemize_documents',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=64), nullable=False),
    sa.Column('document_type', sa.String(length=16), nullable=False),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.Column('processed_sent', sa.Boolean(), nullable=False),
    sa.Column('updated_sent', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_itemize_documents_account_id_accounts')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_itemize_documents_document_id_documents')),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_itemize_documents'))
    )
    with op.batch_alter_table('itemize_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_itemize_documents_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_itemize_documents_processed_sent'), ['processed_sent'], unique=False)
        batch_op.create_index(batch_op.f('ix_itemize_documents_updated_sent'), ['updated_sent'], unique=False)

    op.create_table('itemize_webhooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('token', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_itemize_webhooks_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itemize_webhooks'))
    )
    with op.batch_alter_table('itemize_webhooks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_itemize_webhooks_account_id'), ['account_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('itemize_webhooks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_itemize_webhooks_account_id'))
    op.drop_table('itemize_webhooks')
    with op.batch_alter_table('itemize_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_itemize_documents_updated_sent'))
        batch_op.drop_index(batch_op.f('ix_itemize_documents_processed_sent'))
        batch_op.drop_index(batch_op.f('ix_itemize_documents_account_id'))
    op.drop_table('itemize_documents')
    op.drop_table('itemize_accounts')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_state'))
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_next_at'))
    op.drop_table('webhook_deliveries')
