-- The schema the first release (commit c4195d5) gave a new SQLite database: its
-- open_database(path).create_schema(), dumped with `sqlite3 FILE .schema`. Pinned: never edit.
CREATE TABLE customer (
	id INTEGER NOT NULL, 
	email VARCHAR(254) NOT NULL, 
	name VARCHAR(120) NOT NULL, 
	phone VARCHAR(32) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (email)
);
CREATE INDEX ix_customer_name ON customer (name);
CREATE TABLE car (
	id INTEGER NOT NULL, 
	plate VARCHAR(16) NOT NULL, 
	make VARCHAR(120) NOT NULL, 
	model VARCHAR(120) NOT NULL, 
	seats INTEGER NOT NULL, 
	daily_rate_cents INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT car_rate_not_negative CHECK (daily_rate_cents >= 0), 
	CONSTRAINT car_seats_range CHECK (seats BETWEEN 1 AND 60), 
	UNIQUE (plate)
);
CREATE TABLE driver (
	id INTEGER NOT NULL, 
	code VARCHAR(16) NOT NULL, 
	name VARCHAR(120) NOT NULL, 
	phone VARCHAR(32) NOT NULL, 
	daily_fee_cents INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT driver_fee_not_negative CHECK (daily_fee_cents >= 0), 
	UNIQUE (code)
);
CREATE TABLE audit_entry (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	actor VARCHAR(64) NOT NULL, 
	action VARCHAR(32) NOT NULL, 
	ref VARCHAR(32) NOT NULL, 
	detail VARCHAR(1000) NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_audit_ref ON audit_entry (ref, id);
CREATE TABLE desk_setting (
	"key" VARCHAR(64) NOT NULL, 
	value VARCHAR(1000) NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE booking (
	id INTEGER NOT NULL, 
	ref VARCHAR(16) NOT NULL, 
	customer_id INTEGER NOT NULL, 
	car_id INTEGER NOT NULL, 
	driver_id INTEGER NOT NULL, 
	start_date DATE NOT NULL, 
	days INTEGER NOT NULL, 
	end_date DATE NOT NULL, 
	car_daily_rate_cents INTEGER NOT NULL, 
	driver_daily_fee_cents INTEGER NOT NULL, 
	total_cents INTEGER NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR(64) NOT NULL, 
	cancel_reason VARCHAR(500), 
	PRIMARY KEY (id), 
	CONSTRAINT booking_days_positive CHECK (days >= 1), 
	CONSTRAINT booking_end_after_start CHECK (end_date > start_date), 
	CONSTRAINT booking_status_known CHECK (status IN ('pending', 'confirmed', 'completed', 'cancelled')), 
	CONSTRAINT booking_total_not_negative CHECK (total_cents >= 0), 
	UNIQUE (ref), 
	FOREIGN KEY(customer_id) REFERENCES customer (id), 
	FOREIGN KEY(car_id) REFERENCES car (id), 
	FOREIGN KEY(driver_id) REFERENCES driver (id)
);
CREATE INDEX ix_booking_start ON booking (start_date);
CREATE INDEX ix_booking_customer ON booking (customer_id, start_date);
CREATE INDEX ix_booking_days ON booking (days);
CREATE TABLE app_user (
	id INTEGER NOT NULL, 
	username VARCHAR(32) NOT NULL, 
	password_hash VARCHAR(256) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	driver_id INTEGER, 
	customer_id INTEGER, 
	failed_sign_ins INTEGER NOT NULL, 
	locked_until DATETIME, 
	PRIMARY KEY (id), 
	CONSTRAINT user_role CHECK (role IN ('manager', 'staff', 'driver', 'customer')), 
	UNIQUE (username), 
	FOREIGN KEY(driver_id) REFERENCES driver (id), 
	FOREIGN KEY(customer_id) REFERENCES customer (id)
);
CREATE TABLE invoice (
	id INTEGER NOT NULL, 
	ref VARCHAR(16) NOT NULL, 
	booking_id INTEGER NOT NULL, 
	amount_cents INTEGER NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	issued_at DATETIME NOT NULL, 
	due_date DATE NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT invoice_status_known CHECK (status IN ('unpaid', 'overdue', 'paid', 'void', 'refunded')), 
	CONSTRAINT invoice_amount_not_negative CHECK (amount_cents >= 0), 
	UNIQUE (ref), 
	UNIQUE (booking_id), 
	FOREIGN KEY(booking_id) REFERENCES booking (id)
);
CREATE TABLE payment (
	id INTEGER NOT NULL, 
	invoice_id INTEGER NOT NULL, 
	amount_cents INTEGER NOT NULL, 
	method VARCHAR(16) NOT NULL, 
	taken_at DATETIME NOT NULL, 
	taken_by VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT payment_method_known CHECK (method IN ('card', 'cash', 'transfer')), 
	CONSTRAINT payment_amount_positive CHECK (amount_cents > 0), 
	FOREIGN KEY(invoice_id) REFERENCES invoice (id)
);
CREATE INDEX ix_payment_invoice_id ON payment (invoice_id);
CREATE INDEX ix_booking_car_active ON booking (car_id, start_date, end_date) WHERE status IN ('pending', 'confirmed');
CREATE INDEX ix_booking_driver_active ON booking (driver_id, start_date, end_date) WHERE status IN ('pending', 'confirmed');
CREATE INDEX ix_booking_pending_created ON booking (created_at) WHERE status = 'pending';
CREATE INDEX ix_booking_confirmed_end ON booking (end_date) WHERE status = 'confirmed';
CREATE INDEX ix_invoice_unpaid_due ON invoice (due_date) WHERE status = 'unpaid';
CREATE INDEX ix_invoice_status_due ON invoice (status, due_date);
CREATE INDEX ix_booking_driver_start ON booking (driver_id, start_date);
CREATE INDEX ix_booking_car_start ON booking (car_id, start_date);
CREATE TRIGGER booking_car_overlap_insert
BEFORE INSERT ON booking
WHEN NEW.status IN ('pending', 'confirmed')
BEGIN
    SELECT RAISE(ABORT, 'NEXTCARS_OVERLAP: car already in an overlapping active booking')
    WHERE EXISTS (
        SELECT 1 FROM booking AS b
        WHERE b.car_id = NEW.car_id
          AND b.status IN ('pending', 'confirmed')
          AND b.start_date < NEW.end_date
          AND b.end_date > NEW.start_date
          
    );
END;
CREATE TRIGGER booking_car_overlap_update
BEFORE UPDATE OF status, car_id, driver_id, start_date, end_date ON booking
WHEN NEW.status IN ('pending', 'confirmed')
BEGIN
    SELECT RAISE(ABORT, 'NEXTCARS_OVERLAP: car already in an overlapping active booking')
    WHERE EXISTS (
        SELECT 1 FROM booking AS b
        WHERE b.car_id = NEW.car_id
          AND b.status IN ('pending', 'confirmed')
          AND b.start_date < NEW.end_date
          AND b.end_date > NEW.start_date
          AND b.id <> NEW.id
    );
END;
CREATE TRIGGER booking_driver_overlap_insert
BEFORE INSERT ON booking
WHEN NEW.status IN ('pending', 'confirmed')
BEGIN
    SELECT RAISE(ABORT, 'NEXTCARS_OVERLAP: driver already in an overlapping active booking')
    WHERE EXISTS (
        SELECT 1 FROM booking AS b
        WHERE b.driver_id = NEW.driver_id
          AND b.status IN ('pending', 'confirmed')
          AND b.start_date < NEW.end_date
          AND b.end_date > NEW.start_date
          
    );
END;
CREATE TRIGGER booking_driver_overlap_update
BEFORE UPDATE OF status, car_id, driver_id, start_date, end_date ON booking
WHEN NEW.status IN ('pending', 'confirmed')
BEGIN
    SELECT RAISE(ABORT, 'NEXTCARS_OVERLAP: driver already in an overlapping active booking')
    WHERE EXISTS (
        SELECT 1 FROM booking AS b
        WHERE b.driver_id = NEW.driver_id
          AND b.status IN ('pending', 'confirmed')
          AND b.start_date < NEW.end_date
          AND b.end_date > NEW.start_date
          AND b.id <> NEW.id
    );
END;
CREATE TRIGGER payment_append_only_update
BEFORE UPDATE ON payment
BEGIN
    SELECT RAISE(ABORT, 'NEXTCARS_APPEND_ONLY: payment rows are never changed or removed');
END;
CREATE TRIGGER payment_append_only_delete
BEFORE DELETE ON payment
BEGIN
    SELECT RAISE(ABORT, 'NEXTCARS_APPEND_ONLY: payment rows are never changed or removed');
END;
CREATE TRIGGER audit_entry_append_only_update
BEFORE UPDATE ON audit_entry
BEGIN
    SELECT RAISE(ABORT, 'NEXTCARS_APPEND_ONLY: audit_entry rows are never changed or removed');
END;
CREATE TRIGGER audit_entry_append_only_delete
BEFORE DELETE ON audit_entry
BEGIN
    SELECT RAISE(ABORT, 'NEXTCARS_APPEND_ONLY: audit_entry rows are never changed or removed');
END;
