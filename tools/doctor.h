/* SPDX-License-Identifier: MIT */
/* doctor.h - `cordon doctor`: what cordon will use on this kernel. */
#ifndef CORDON_DOCTOR_H
#define CORDON_DOCTOR_H

/**
 * doctor_main() - probe the running kernel and print, truthfully, what cordon
 * uses, what is missing and what falls back.
 * Return: 0 when cordon can enforce its guarantees here, 1 otherwise (with
 * the reasons printed).
 */
int doctor_main(int argc, char **argv);

#endif /* CORDON_DOCTOR_H */
