#!/usr/bin/perl
# Generates a deterministic tree of mixed files for the benchmark disk image.
#
#   gentree.pl OUT_DIR TARGET_BYTES SEED [MIX]
#
# MIX overrides the fractions below, e.g. "logs=0.75,src=0.25" (text only) or
# "logs=0.3,src=0.2,media=0.5"; kinds left out get nothing. The default is the mix below.
#
# Mix (fractions of TARGET_BYTES, every size drawn from a seeded PRNG):
#   logs/   35%  log files, 1-48 MiB each: timestamped lines of pseudo-words and numbers
#                (zstd -1 compresses them ~4x)
#   src/     8%  source-like text files, 1-128 KiB each, in nested directories
#   media/  42%  incompressible files, 256 KiB-64 MiB each (AES-CTR keystream, i.e. random)
#   copies/ 15%  byte-identical copies of some of the files above (duplicates)
# Perl's rand() is drand48 on every platform (perl >= 5.20), and the random files are an
# AES-128-CTR keystream keyed from the seed, so the same SEED gives the same tree.
use strict;
use warnings;
use File::Path qw(make_path);
use File::Copy qw(copy);
use Digest::SHA qw(sha256_hex);

my ($out, $target, $seed, $mix) = @ARGV;
die "usage: gentree.pl OUT_DIR TARGET_BYTES SEED [MIX]\n" unless defined $seed && $target =~ /^\d+$/;
my %mix = (logs => 0.35, src => 0.08, media => 0.42, copies => 0.15);
if (defined $mix) {
    %mix = (logs => 0, src => 0, media => 0, copies => 0);
    for (split /,/, $mix) {
        my ($k, $v) = split /=/;
        die "gentree.pl: unknown kind '$k' in MIX\n" unless exists $mix{$k};
        $mix{$k} = $v;
    }
}
srand($seed);

my $KiB = 1024;
my $MiB = 1024 * 1024;
my $EPOCH = 1700000000;    # fixed mtime for every file and directory

# ---- vocabulary: pseudo-words drawn once, used with a skewed (Zipf-like) frequency ----------
my @words = map { my $l = 2 + int(rand(9)); join '', map { chr(97 + int(rand(26))) } 1 .. $l } 1 .. 3000;
sub word { return $words[int(@words * rand()**2.5)]; }
my @levels = qw(INFO INFO INFO INFO INFO DEBUG DEBUG DEBUG WARN ERROR);
my @components = map { word() . '.' . word() } 1 .. 80;
my @methods = qw(GET GET GET POST POST PUT DELETE);
my @users = map { word() } 1 .. 200;

my @all_files;    # [path, size] of generated files (candidates for copies/)

sub write_file {
    my ($path, $data) = @_;
    open my $fh, '>:raw', $path or die "$path: $!\n";
    print $fh $data;
    close $fh or die "$path: $!\n";
}

# ---- logs ----------------------------------------------------------------------------------
my $clock = $EPOCH - 86400 * 30;
sub log_chunk {    # about $n bytes of log lines
    my ($n) = @_;
    my $buf = '';
    while (length($buf) < $n) {
        $clock += rand(0.04);
        my @t = gmtime(int $clock);
        my $ts = sprintf('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', $t[5] + 1900, $t[4] + 1, $t[3], $t[2], $t[1], $t[0],
            int(($clock - int $clock) * 1000));
        my $r = rand();
        my $line;
        if ($r < 0.45) {
            $line = sprintf("%s %-5s [worker-%d] %s: %s /api/v%d/%s/%s/%d status=%d bytes=%d took=%dms user=%s\n",
                $ts, $levels[int rand @levels], int(rand(32)), $components[int rand @components],
                $methods[int rand @methods], 1 + int(rand(3)), word(), word(), int(rand(100000)),
                (200, 200, 200, 201, 204, 304, 400, 404, 500)[int rand 9], int(rand(65536)), int(rand(2000)),
                $users[int rand @users]);
        } elsif ($r < 0.8) {
            $line = sprintf("%s %-5s [%s-%d] %s: %s %s %s %s id=%d seq=%d\n",
                $ts, $levels[int rand @levels], word(), int(rand(8)), $components[int rand @components],
                word(), word(), word(), word(), int(rand(1e7)), int(rand(1e5)));
        } else {
            $line = sprintf("%s %-5s [main] %s: %s %s=%d.%03d %s=%d %s=0x%08x\n",
                $ts, $levels[int rand @levels], $components[int rand @components], word(),
                word(), int(rand(1000)), int(rand(1000)), word(), int(rand(1e6)), word(), int(rand(2**32)));
        }
        $buf .= $line;
    }
    return $buf;
}

sub gen_logs {
    my ($budget) = @_;
    my $dir = "$out/logs";
    make_path($dir);
    my $max = 48 * $MiB;
    $max = int($budget / 3) if $budget / 3 < $max;
    $max = $MiB if $max < $MiB;
    my ($i, $done) = (0, 0);
    while ($done < $budget) {
        my $size = $MiB + int(rand($max - $MiB + 1));
        $size = $budget - $done if $size > $budget - $done;
        my $path = sprintf('%s/%s-%03d.log', $dir, $components[$i % @components], $i);
        open my $fh, '>:raw', $path or die "$path: $!\n";
        my $left = $size;
        while ($left > 0) {
            my $c = log_chunk($left < $MiB ? $left : $MiB);
            $c = substr($c, 0, $left) if length($c) > $left;
            print $fh $c;
            $left -= length $c;
        }
        close $fh or die "$path: $!\n";
        push @all_files, [$path, $size];
        $done += $size;
        $i++;
    }
}

# ---- source-like text ------------------------------------------------------------------------
sub ident { my $s = word(); $s .= ucfirst(word()) if rand() < 0.6; $s .= '_' . int(rand(100)) if rand() < 0.2; return $s; }
sub src_text {
    my ($n) = @_;
    my $buf = "// " . join(' ', map { word() } 1 .. 8) . "\n// Copyright 2023 " . ucfirst(word()) . "\n\n";
    my $depth = 0;
    while (length($buf) < $n) {
        my $ind = '    ' x $depth;
        my $r = rand();
        if ($depth < 4 && $r < 0.15) {
            $buf .= $ind . (('if', 'for', 'while')[int rand 3]) . ' (' . ident() . ' ' . (('<', '>', '==', '!=')[int rand 4])
                . ' ' . int(rand(1000)) . ") {\n";
            $depth++;
        } elsif ($depth > 0 && $r < 0.27) {
            $depth--;
            $buf .= ('    ' x $depth) . "}\n";
        } elsif ($r < 0.35) {
            $buf .= $ind . '// ' . join(' ', map { word() } 1 .. (3 + int rand 9)) . "\n";
        } elsif ($r < 0.4) {
            $buf .= "\n";
        } else {
            $buf .= $ind . ident() . ' = ' . ident() . '(' . join(', ', map { rand() < 0.5 ? ident() : int(rand(10000)) } 0 .. int(rand(4)))
                . ");\n";
        }
    }
    $buf .= "}\n" x $depth;
    return substr($buf, 0, $n);
}

sub gen_src {
    my ($budget) = @_;
    my ($i, $done) = (0, 0);
    my $dir;
    my @ext = qw(java c h py go rs js xml md);
    while ($done < $budget) {
        if ($i % 40 == 0) {
            $dir = sprintf('%s/src/%s/%s/%s', $out, word(), word(), word());
            make_path($dir);
        }
        my $size = int(exp(log($KiB) + rand() * (log(128 * $KiB) - log($KiB))));
        $size = $budget - $done if $size > $budget - $done;
        my $path = sprintf('%s/%s%d.%s', $dir, ident(), $i, $ext[int rand @ext]);
        write_file($path, src_text($size));
        push @all_files, [$path, $size] if $size > 64 * $KiB;
        $done += $size;
        $i++;
    }
}

# ---- incompressible files --------------------------------------------------------------------
sub gen_media {
    my ($budget) = @_;
    my $dir = "$out/media";
    make_path($dir);
    my ($i, $done) = (0, 0);
    my @ext = qw(jpg mp4 zip gz png);
    while ($done < $budget) {
        my $size = int(exp(log(256 * $KiB) + rand() * (log(64 * $MiB) - log(256 * $KiB))));
        $size = $budget - $done if $size > $budget - $done;
        my $path = sprintf('%s/%s-%04d.%s', $dir, word(), $i, $ext[int rand @ext]);
        my $h = sha256_hex("cairn-bench:$seed:media:$i");
        my ($key, $iv) = (substr($h, 0, 32), substr($h, 32, 32));
        system("head -c $size /dev/zero | openssl enc -aes-128-ctr -K $key -iv $iv -out '$path'") == 0
            or die "openssl failed for $path\n";
        push @all_files, [$path, $size];
        $done += $size;
        $i++;
    }
}

# ---- duplicates ------------------------------------------------------------------------------
sub gen_copies {
    my ($budget) = @_;
    my $dir = "$out/copies";
    make_path($dir);
    my ($i, $done) = (0, 0);
    my @pool = @all_files;
    while ($done < $budget && @pool) {
        my $k = int(rand(@pool));
        my ($src, $size) = @{ splice(@pool, $k, 1) };
        next if $size > $budget - $done && $done > 0;
        (my $base = $src) =~ s{.*/}{};
        copy($src, sprintf('%s/%03d-%s', $dir, $i, $base)) or die "copy $src: $!\n";
        $done += $size;
        $i++;
    }
}

make_path($out);
gen_logs(int($target * $mix{logs})) if $mix{logs} > 0;
gen_src(int($target * $mix{src})) if $mix{src} > 0;
gen_media(int($target * $mix{media})) if $mix{media} > 0;
gen_copies(int($target * $mix{copies})) if $mix{copies} > 0;

# fixed timestamps, so mkfs.ext4 -d gives the same inodes every time
my @paths = split /\0/, `find '$out' -print0`;
utime($EPOCH, $EPOCH, $_) for reverse @paths;
