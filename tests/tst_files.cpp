// File handling: SHA-256 against the FIPS 180-2 test vectors, gzip reading (whole, multi-member,
// truncated, corrupt), SHA256SUMS verification, atomic writes, UTF-8 validation with positions,
// and the error-message shape of CONTRACTS.md.
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>

#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/process_usage.h"
#include "test_support.h"

using namespace gwb;
using gwb::test::inputErrorOf;

class TestFiles : public QObject {
  Q_OBJECT

 private slots:
  // Issue 24: the window shows this process's CPU and memory. /proc lines as the kernel writes
  // them (proc(5)), a command with spaces and parentheses included; then this process itself
  // against /proc/self/status's VmRSS and a measured burst of work.
  void processUsageReadsProcLikeTop() {
    const std::string stat =
        "4242 (gwb (a) b) S 1 4242 4242 0 -1 4194560 2000 0 3 0 250 75 0 0 20 0 9 0 100 "
        "123456789 3000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";
    QCOMPARE(parseProcStatCpuSeconds(stat, 100).value(), 3.25);  // (250 + 75) ticks
    QVERIFY(!parseProcStatCpuSeconds("4242 (truncated) S 1 2", 100));
    QCOMPARE(parseProcStatmRssBytes("5000 1200 300 10 0 900 0", 4096).value(),
             std::int64_t{1200} * 4096);
    QVERIFY(!parseProcStatmRssBytes("", 4096));

    ProcessUsage usage;
    QVERIFY(!usage.sample(0, ProcessSample{10.0, 1 << 20}));  // no rate from one sample
    QVERIFY(usage.sample(2, ProcessSample{13.0, 2 << 20}));
    QCOMPARE(usage.cpuPercent(), 150.0);  // 3 s of CPU in 2 s: one and a half cores
    QCOMPARE(usage.rssBytes(), std::int64_t{2 << 20});

    const ProcessSample before = sampleThisProcess();
    QFile status("/proc/self/status");
    QVERIFY(status.open(QIODevice::ReadOnly));
    std::int64_t vmrss = 0;
    for (const QByteArray& line : status.readAll().split('\n')) {
      if (line.startsWith("VmRSS:"))
        vmrss = line.mid(6).trimmed().split(' ').front().toLongLong() * 1024;
    }
    QVERIFY(vmrss > 0);
    QVERIFY2(std::abs(static_cast<double>(before.rss_bytes - vmrss)) < 0.2 * vmrss,
             qPrintable(QString("%1 vs VmRSS %2").arg(before.rss_bytes).arg(vmrss)));
    QElapsedTimer busy;
    busy.start();
    volatile double sink = 0;
    while (busy.elapsed() < 300) sink = sink + std::sqrt(sink + 1.0);
    const ProcessSample after = sampleThisProcess();
    QVERIFY2(after.cpu_seconds - before.cpu_seconds > 0.1,
             qPrintable(QString::number(after.cpu_seconds - before.cpu_seconds)));
  }

  void sha256MatchesFipsVectors() {
    QCOMPARE(sha256Hex(""),
             std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(sha256Hex("abc"),
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
             std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
  }

  void gunzipRoundTripsAndReadsConcatenatedMembers() {
    std::string text;
    for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + " \xc3\xa9\n";
    QCOMPARE(gunzip(test::gzipBytes(text), "x.gz"), text);
    const std::string two = test::gzipBytes("first ") + test::gzipBytes("second");
    QCOMPARE(gunzip(two, "two.gz"), std::string("first second"));
    QCOMPARE(gunzip(test::gzipBytes(""), "empty.gz"), std::string());
  }

  void truncatedGzipIsAnErrorNamingTheFile() {
    const std::string gz = test::gzipBytes(std::string(100000, 'a') + "tail");
    const QString message =
        inputErrorOf([&] { gunzip(std::string_view(gz).substr(0, gz.size() / 2), "cut.gz"); });
    QVERIFY2(message.startsWith("cut.gz: expected a complete gzip stream, got "),
             qPrintable(message));
    QVERIFY(message.contains("truncated"));
  }

  void corruptGzipIsAnError() {
    std::string gz = test::gzipBytes("some text that is long enough to have a body");
    gz[12] ^= 0x5a;
    gz[13] ^= 0xa5;
    const QString message = inputErrorOf([&] { gunzip(gz, "bad.gz"); });
    QVERIFY2(message.startsWith("bad.gz: expected "), qPrintable(message));
  }

  void readDataFileChecksListedChecksums() {
    QTemporaryDir dir;
    const std::string root = dir.path().toStdString();
    test::writeFile(root + "/set/a.txt", "alpha\n");
    test::writeFile(root + "/set/b.txt", "beta\n");
    test::writeFile(root + "/SHA256SUMS", sha256Hex("alpha\n") + "  set/a.txt\n" +
                                              std::string(64, '0') + "  set/b.txt\n");
    const DataFile a = readDataFile(root + "/set/a.txt");
    QCOMPARE(a.content(), std::string("alpha\n"));
    QVERIFY(verifyListedChecksum(root + "/set/a.txt", a.stored_sha256));
    const QString message = inputErrorOf([&] { readDataFile(root + "/set/b.txt"); });
    QVERIFY2(message.contains("b.txt: expected sha256 " + QString(64, '0')), qPrintable(message));
    QVERIFY(message.contains(QString::fromStdString(sha256Hex("beta\n"))));
    // Not listed: no check, no error.
    test::writeFile(root + "/set/c.txt", "gamma\n");
    QVERIFY(!verifyListedChecksum(root + "/set/c.txt", sha256Hex("gamma\n")));
  }

  void missingFileIsAnErrorNamingIt() {
    const QString message = inputErrorOf([] { readFileBytes("/nonexistent/dir/file.txt"); });
    QVERIFY2(message.startsWith("/nonexistent/dir/file.txt: expected a readable file, got "),
             qPrintable(message));
  }

  void atomicWriteReplacesAndLeavesNoTemporaryFiles() {
    QTemporaryDir dir;
    const std::string path = dir.path().toStdString() + "/sub/out.bin";
    writeFileAtomic(path, "first");
    writeFileAtomic(path, std::string("second\0with nul", 15));
    QCOMPARE(readFileBytes(path), std::string("second\0with nul", 15));
    int files = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator(dir.path().toStdString() + "/sub")) {
      Q_UNUSED(entry);
      ++files;
    }
    QCOMPARE(files, 1);
  }

  void checkUtf8_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error");  // empty: valid
    QTest::newRow("ascii") << QByteArray("plain\ntext\n") << QString();
    QTest::newRow("multibyte") << QByteArray("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80")
                               << QString();
    QTest::newRow("stray continuation")
        << QByteArray("one\ntwo\nab\x80")
        << QString("f:3: expected valid UTF-8, got byte 0x80 at column 3");
    QTest::newRow("overlong") << QByteArray("\xc0\xaf")
                              << QString("f:1: expected valid UTF-8, got byte 0xc0 at column 1");
    QTest::newRow("surrogate") << QByteArray("x\xed\xa0\x80")
                               << QString("f:1: expected valid UTF-8, got byte 0xed at column 2");
    QTest::newRow("above U+10FFFF")
        << QByteArray("\xf4\x90\x80\x80")
        << QString("f:1: expected valid UTF-8, got byte 0xf4 at column 1");
    QTest::newRow("cut sequence") << QByteArray("12345678\n\xe6\x97")
                                  << QString(
                                         "f:2: expected valid UTF-8, got byte 0xe6 at column 1");
  }
  void checkUtf8() {
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    QCOMPARE(inputErrorOf([&] { gwb::checkUtf8(text.toStdString(), "f"); }), error);
  }

  void errorMessageHasTheContractShape() {
    QCOMPARE(
        QString(InputError({"cfg.json", 3, "train.lr"}, expectedGot("a number", "\"x\"")).what()),
        QString("cfg.json:3: train.lr: expected a number, got \"x\""));
    QCOMPARE(QString(InputError({"", 0, "--task"}, expectedGot("snli", "x")).what()),
             QString("--task: expected snli, got x"));
    QCOMPARE(QString::fromStdString(quoteForMessage("a\tb\"c", 10)), QString("\"a\\x09b\\\"c\""));
  }
};

QTEST_GUILESS_MAIN(TestFiles)
#include "tst_files.moc"
