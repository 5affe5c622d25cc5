"""learning from validations: supplier profiles, their observations, learned validations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 13:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('supplier_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('vat', sa.String(length=64), nullable=True),
    sa.Column('iban', sa.String(length=64), nullable=True),
    sa.Column('email_domain', sa.String(length=255), nullable=True),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.Column('profile', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_supplier_profiles_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_profiles'))
    )
    with op.batch_alter_table('supplier_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_profiles_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supplier_profiles_vat'), ['vat'], unique=False)

    op.create_table('supplier_observations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('validation_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_supplier_observations_account_id_accounts')),
    sa.ForeignKeyConstraint(['profile_id'], ['supplier_profiles.id'],
                            name=op.f('fk_supplier_observations_profile_id_supplier_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['validation_id'], ['validations.id'],
                            name=op.f('fk_supplier_observations_validation_id_validations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_observations'))
    )
    with op.batch_alter_table('supplier_observations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_observations_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supplier_observations_profile_id'), ['profile_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supplier_observations_validation_id'), ['validation_id'], unique=False)

    op.create_table('validation_learning',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('validation_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_validation_learning_account_id_accounts')),
    sa.ForeignKeyConstraint(['validation_id'], ['validations.id'],
                            name=op.f('fk_validation_learning_validation_id_validations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_validation_learning'))
    )
    with op.batch_alter_table('validation_learning', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_validation_learning_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_validation_learning_validation_id'), ['validation_id'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('validation_learning', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_validation_learning_validation_id'))
        batch_op.drop_index(batch_op.f('ix_validation_learning_account_id'))

    op.drop_table('validation_learning')
    with op.batch_alter_table('supplier_observations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_observations_validation_id'))
        batch_op.drop_index(batch_op.f('ix_supplier_observations_profile_id'))
        batch_op.drop_index(batch_op.f('ix_supplier_observations_account_id'))

    op.drop_table('supplier_observations')
    with op.batch_alter_table('supplier_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_profiles_vat'))
        batch_op.drop_index(batch_op.f('ix_supplier_profiles_account_id'))

    op.drop_table('supplier_profiles')
