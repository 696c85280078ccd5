/* SPDX-License-Identifier: MIT */
/*
 * dns_msg.h - DNS wire format for the filtering DNS proxy: a bounded parser
 * for queries (from the job) and responses (from upstream), and builders for
 * the proxy's own error replies and for the filtered answer it returns. Every
 * byte handed in is treated as hostile. It does not decide anything (that is
 * policy/ and dns_proxy.c), does no I/O and never allocates.
 *
 * Theory of operation: names are read by one bounded walker that accepts
 * compression pointers only when they point into the message body (not the
 * header) strictly before the segment being read, so every jump goes
 * backwards and loops are impossible; the decompressed wire form is capped
 * at DNS_NAME_MAX. Names the proxy must match as text (questions, answer
 * owners, CNAME/DNAME targets) must also be plain: bytes 0x21..0x7e except
 * '.' and '\\'. The rebuilder never copies a compression pointer: names in
 * rdata of the types in its layout table are decompressed and re-encoded
 * (compressed only against the question it writes), other rdata is opaque.
 */
#ifndef CORDON_DNS_MSG_H
#define CORDON_DNS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Wire form, root label included; the text form is at most 253 bytes. */
#define DNS_NAME_MAX 255
#define DNS_NAME_TEXT_MAX 253
#define DNS_MSG_MAX 65535
#define DNS_HEADER_LEN 12
/* The largest reply to a query without EDNS0. */
#define DNS_UDP_MIN 512
/* The UDP payload size cordon advertises (DNS flag day 2020). */
#define DNS_EDNS_UDP_SIZE 1232
/* Answers kept in struct dns_response; more are validated, then cut. */
#define DNS_MAX_RR 64

/* Header flag bits (the 16-bit word after the ID). */
#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_AA 0x0400
#define DNS_FLAG_TC 0x0200
#define DNS_FLAG_RD 0x0100
#define DNS_FLAG_RA 0x0080
#define DNS_FLAG_AD 0x0020
#define DNS_FLAG_CD 0x0010
#define DNS_FLAGS_OPCODE(f) (((f) >> 11) & 0xf)
#define DNS_FLAGS_RCODE(f) ((f)&0xf)

enum dns_rcode {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
};

enum dns_type {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_SRV = 33,
	DNS_TYPE_DNAME = 39,
	DNS_TYPE_OPT = 41,
	DNS_TYPE_SVCB = 64,
	DNS_TYPE_HTTPS = 65,
	DNS_TYPE_ANY = 255,
};

#define DNS_CLASS_IN 1

/* SvcParamKeys (RFC 9460 14.3.2) the proxy acts on. */
#define DNS_SVCB_KEY_MANDATORY 0
#define DNS_SVCB_KEY_ECH 5

/**
 * struct dns_question - the one question of a message.
 * @name:     presentation form, ASCII lower-cased, no trailing dot, "" for
 *            the root. Only bytes 0x21..0x7e other than '.' and '\\' occur
 *            inside labels (others are rejected), so it can be matched as
 *            text.
 * @qtype:    QTYPE.
 * @qclass:   QCLASS.
 * @wire_off: offset of the question (QNAME, QTYPE, QCLASS) in the message;
 *            always DNS_HEADER_LEN. The QNAME there holds no compression
 *            pointer, so the bytes can be echoed as they are (0x20 mixed
 *            case survives).
 * @wire_len: its length in bytes (QNAME + 4).
 */
struct dns_question {
	char name[DNS_NAME_MAX + 1];
	uint16_t qtype;
	uint16_t qclass;
	size_t wire_off;
	size_t wire_len;
};

/**
 * struct dns_query - a parsed query.
 * @id:        message ID.
 * @flags:     the header flags word as sent (DNS_FLAG_*).
 * @q:         the question.
 * @has_opt:   an EDNS0 OPT record is in the additional section.
 * @udp_size:  its requestor's UDP payload size, as sent (may be < 512).
 * @edns_do:   its DO bit (RFC 3225: copied into the reply's OPT).
 * @has_other_sections: the query carries answer or authority records, or
 *             additional records other than OPT (TSIG, ...). They were
 *             walked and bounds-checked; the proxy may refuse such a query
 *             rather than forward it.
 */
struct dns_query {
	uint16_t id;
	uint16_t flags;
	struct dns_question q;
	bool has_opt;
	uint16_t udp_size;
	bool edns_do;
	bool has_other_sections;
};

/**
 * struct dns_rr - one answer record.
 * @name:      owner, presentation form, lower-cased (as dns_question.name).
 * @name_off:  offset of the owner name in the message.
 * @type:      TYPE.
 * @rclass:    CLASS.
 * @ttl:       TTL.
 * @rdlen:     RDLENGTH.
 * @rdata_off: offset of the rdata in the message.
 * @addr:      for A the 4 address bytes, for AAAA the 16; zero otherwise.
 * @target:    for CNAME and DNAME the target name, decompressed, in the same
 *             form as @name; "" otherwise.
 */
struct dns_rr {
	char name[DNS_NAME_MAX + 1];
	size_t name_off;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdata_off;
	uint8_t addr[16];
	char target[DNS_NAME_MAX + 1];
};

/**
 * struct dns_response - a parsed response (about 35 KiB).
 * @id:          message ID.
 * @flags:       the header flags word as received (DNS_FLAG_*).
 * @rcode:       the full RCODE: the header's 4 bits, plus the OPT record's
 *               extended bits when there is one (so up to 4095).
 * @truncated:   TC was set.
 * @q:           the question.
 * @n_answers:   answers kept in @answers (at most DNS_MAX_RR).
 * @an_count:    answers in the message (ANCOUNT); when more than
 *               DNS_MAX_RR, all were validated but only the first
 *               DNS_MAX_RR are kept, and dns_msg_response_rebuild() sets TC.
 * @answers:     the first @n_answers answers, in message order.
 * @n_authority: records in the authority section (walked, not kept).
 * @n_additional: records in the additional section other than OPT.
 * @has_opt:     an OPT record is in the additional section.
 * @udp_size:    its UDP payload size.
 */
struct dns_response {
	uint16_t id;
	uint16_t flags;
	int rcode;
	bool truncated;
	struct dns_question q;
	size_t n_answers;
	size_t an_count;
	struct dns_rr answers[DNS_MAX_RR];
	size_t n_authority;
	size_t n_additional;
	bool has_opt;
	uint16_t udp_size;
};

/**
 * dns_msg_query_parse() - parse a query from the job.
 * @p:   the message (borrowed; @out keeps offsets into it, no pointers).
 * @len: its length, without the TCP length prefix.
 * @out: filled on success; unspecified on error.
 *
 * Requires QR=0, opcode QUERY and exactly one question. Every record of the
 * other sections is walked with bounds; at most one OPT, only in the
 * additional section, with the root as owner and well-formed options.
 * Nothing may follow the last record.
 *
 * Return: 0, or
 * -EMSGSIZE: @len is shorter than a header or longer than DNS_MSG_MAX;
 * -EINVAL:   malformed: a name, record or option runs past the end or past
 *            its rdata, a label is longer than 63 (or of a reserved type), a
 *            pointer points into the header or not strictly backwards, a
 *            name exceeds DNS_NAME_MAX, a question name holds a byte outside
 *            0x21..0x7e or '.' or '\\', a misplaced or second OPT, trailing
 *            bytes;
 * -EPROTO:   QR=1 (a response, not a query);
 * -ENOTSUP:  opcode is not QUERY, or QDCOUNT is not 1.
 */
int dns_msg_query_parse(const uint8_t *p, size_t len, struct dns_query *out);

/**
 * dns_msg_reply_error() - build the proxy's own reply to a query.
 * @query: the query's bytes (borrowed), as parsed into @q.
 * @qlen:  their length.
 * @q:     dns_msg_query_parse() of @query.
 * @rcode: DNS_RCODE_NXDOMAIN, _REFUSED, _SERVFAIL, ... (0..15).
 * @out:   buffer for the reply (caller's).
 * @cap:   its size.
 *
 * The reply has the query's ID, QR=1, opcode QUERY, RD and CD copied, RA=1,
 * the question echoed byte for byte, no records, and an OPT record (UDP size
 * DNS_EDNS_UDP_SIZE, DO copied, no options) when the query had one.
 *
 * Return: the reply's length, or -EINVAL (@rcode out of range, @q's
 * question not inside @query) / -ENOSPC (@cap too small; 12 + question + 11
 * always suffices).
 */
ssize_t dns_msg_reply_error(const uint8_t *query, size_t qlen,
			    const struct dns_query *q, int rcode, uint8_t *out,
			    size_t cap);

/**
 * dns_msg_query_clean() - the query to send upstream in place of the job's:
 * a header with the job's ID and only its RD and CD flags, the question
 * bytes, and an OPT record (UDP size DNS_EDNS_UDP_SIZE, DO copied, no
 * options). Nothing else the job put in its query (other sections, EDNS
 * options such as client subnet or cookies, reserved flag bits) leaves.
 * Return: the length, or -EINVAL / -ENOSPC as dns_msg_reply_error().
 */
ssize_t dns_msg_query_clean(const uint8_t *query, size_t qlen,
			    const struct dns_query *q, uint8_t *out,
			    size_t cap);

/**
 * dns_msg_response_parse() - parse a response from upstream.
 * @p:   the message (borrowed; @out keeps offsets into it).
 * @len: its length, without the TCP length prefix.
 * @out: filled on success; unspecified on error.
 *
 * Requires QR=1, opcode QUERY and exactly one question. Every record of
 * every section is walked with bounds. Answers are checked by type: A rdata
 * is 4 bytes, AAAA 16, and the rdata of types holding names (CNAME, DNAME,
 * NS, PTR, MX, SRV, SOA, NAPTR, ...) must be exactly the names and fields
 * the type defines. Answer owners and CNAME/DNAME targets must be plain
 * text like the question name. OPT in the answer section is an error.
 * Other types are kept as opaque rdata.
 *
 * Return: 0, or -EMSGSIZE / -EINVAL as dns_msg_query_parse() (-EINVAL also
 * for rdata that does not match its type), -EPROTO (QR=0), -ENOTSUP
 * (opcode not QUERY, QDCOUNT not 1).
 */
int dns_msg_response_parse(const uint8_t *p, size_t len,
			   struct dns_response *out);

/**
 * dns_msg_response_chain() - which answers belong to the question: those
 * whose owner is the question name, or the target of a CNAME answer that
 * itself belongs (followed for at most DNS_MAX_RR steps; DNAME records are
 * not followed: servers send the synthesised CNAME with them). Addresses
 * under other owners are not answers to this question and must not be
 * pinned.
 * @r:        a parsed response.
 * @on_chain: set per answer (@r->n_answers entries, caller's).
 * Return: the number of answers on the chain.
 */
size_t dns_msg_response_chain(const struct dns_response *r, bool *on_chain);

/**
 * struct dns_svcb_report - SVCB/HTTPS answers seen by a rebuild.
 * @ech_removed: records written without the ech SvcParam they carried.
 * @dropped:     records left out: dns_msg_svcb_strip() refused them.
 */
struct dns_svcb_report {
	size_t ech_removed;
	size_t dropped;
};

/**
 * dns_msg_svcb_strip() - the rdata of an SVCB (64) or HTTPS (65) record
 * (RFC 9460 2.2) without its ech SvcParam (key 5, the client's ECH
 * configuration, draft-ietf-tls-svcb-ech): cordon's relay refuses
 * ClientHellos with encrypted_client_hello, so the proxy never hands out
 * what would make a client send one.
 * @rd:      the rdata (borrowed, hostile).
 * @len:     its length (RDLENGTH).
 * @out:     buffer for the rewritten rdata (caller's; may not overlap @rd).
 * @cap:     its size; @len always suffices.
 * @removed: set to whether an ech SvcParam was left out (may be NULL).
 *
 * Checks the whole rdata as RFC 9460 2.2 tells a client to (a record a
 * client would find malformed is refused, not repaired): SvcPriority; a
 * TargetName of plain labels (no compression pointer, RFC 9460 2.2; at most
 * DNS_NAME_MAX bytes) ending inside the rdata; SvcParams each with its key,
 * length and value inside the rdata, keys strictly increasing; a mandatory
 * list (key 0) of whole, strictly increasing keys, not naming mandatory
 * itself. Everything but the ech SvcParam is copied byte for byte, in
 * order, so the result is well-formed whenever the input was, and
 * stripping it again changes nothing.
 *
 * Return: the rewritten length (at most @len), or
 * -EINVAL: malformed as above;
 * -EPERM:  the mandatory list names ech: the server says the endpoint is
 *          not to be used without it, so the caller leaves the record out
 *          (the client falls back to A/AAAA) rather than change its sense;
 * -ENOSPC: @cap is too small.
 */
ssize_t dns_msg_svcb_strip(const uint8_t *rd, size_t len, uint8_t *out,
			   size_t cap, bool *removed);

/**
 * struct dns_rebuild - how to re-encode a filtered response.
 * @id:           the ID to write (the job's).
 * @question:     the question's wire bytes to write (borrowed; normally the
 *                job's own, dns_query.q.wire_off/wire_len into its query,
 *                to keep its case); must be a pointer-free QNAME + 4 bytes.
 * @question_len: their length.
 * @opt:          write an OPT record (the job's query had one).
 * @udp_size:     the UDP payload size it advertises.
 * @max_len:      the most the reply may take (dns_msg_reply_max()).
 * @svcb:         if non-NULL, filled with what happened to SVCB/HTTPS
 *                answers (caller's; an output, the rest are inputs).
 */
struct dns_rebuild {
	uint16_t id;
	const uint8_t *question;
	size_t question_len;
	bool opt;
	uint16_t udp_size;
	size_t max_len;
	struct dns_svcb_report *svcb;
};

/**
 * dns_msg_reply_max() - the largest reply the job accepts to @q: 65535 over
 * TCP (@tcp), else 512 without EDNS0, else its UDP size (at least 512).
 */
size_t dns_msg_reply_max(const struct dns_query *q, bool tcp);

/**
 * dns_msg_response_rebuild() - re-encode a response for the job.
 * @msg:  the upstream response (borrowed), as parsed into @r.
 * @len:  its length.
 * @r:    dns_msg_response_parse() of @msg.
 * @keep: per answer of @r, whether to write it (borrowed); NULL keeps all.
 * @how:  ID, question, OPT and size limit (borrowed).
 * @out:  buffer for the result (caller's).
 * @cap:  its size; @how->max_len bytes always suffice.
 *
 * Writes a header (@how->id; the flags of @r with TC set if @r had TC, if
 * @r had more than DNS_MAX_RR answers, or if answers were cut to fit),
 * @how->question, the kept answers in order, and an OPT record if
 * @how->opt (carrying the extended RCODE bits; without OPT an extended
 * RCODE becomes SERVFAIL). Authority and additional records are dropped.
 * Owner names and the names inside rdata of the layout table are written
 * decompressed, compressed only against the question (and only where RFC
 * 3597 allows compression). SVCB and HTTPS rdata is rewritten by
 * dns_msg_svcb_strip(): no ech SvcParam ever reaches the job, and a record
 * it refuses (malformed, or ech mandatory) is left out like an answer not
 * kept (no TC). Other rdata is copied as is. When the result would exceed
 * @how->max_len, answers are dropped from the end and TC is set. The
 * output parses with dns_msg_response_parse() to the kept answers, less
 * the SVCB/HTTPS records left out.
 *
 * Return: the length written, or
 * -EINVAL:   @how->question is not a pointer-free question, @r does not
 *            describe @msg (an offset or name out of bounds);
 * -EMSGSIZE: header, question and OPT alone exceed @how->max_len;
 * -ENOSPC:   @cap is too small for what fits in @how->max_len.
 */
ssize_t dns_msg_response_rebuild(const uint8_t *msg, size_t len,
				 const struct dns_response *r, const bool *keep,
				 const struct dns_rebuild *how, uint8_t *out,
				 size_t cap);

/** dns_msg_set_id() - write @id into the header of @msg (if @len >= 2). */
void dns_msg_set_id(uint8_t *msg, size_t len, uint16_t id);

/**
 * dns_msg_question_equal() - same name (ASCII case-insensitive), type and
 * class: an upstream answer must match what was asked.
 */
bool dns_msg_question_equal(const struct dns_question *a,
			    const struct dns_question *b);

/**
 * dns_msg_tcp_frame() - DNS over TCP (RFC 1035 4.2.2, RFC 7766): is a whole
 * message at the start of the @avail bytes at @p?
 * Return: the frame's length (2 + message length) when all of it is there;
 * 0 when more bytes are needed; -EMSGSIZE when the prefix announces a
 * message shorter than a header.
 */
ssize_t dns_msg_tcp_frame(const uint8_t *p, size_t avail);

/**
 * dns_msg_tcp_prefix() - write the 2-byte length prefix for a @len-byte
 * message into @out. Return: 0, or -EMSGSIZE if @len > DNS_MSG_MAX.
 */
int dns_msg_tcp_prefix(size_t len, uint8_t out[2]);

/**
 * dns_msg_put_ttl() - set the TTL of the record whose data starts at
 * @rdata_off (struct dns_rr) in a message parsed by
 * dns_msg_response_parse(). For the proxy's cache, which ages answers.
 */
void dns_msg_put_ttl(uint8_t *msg, size_t rdata_off, uint32_t ttl);

#endif /* CORDON_DNS_MSG_H */
