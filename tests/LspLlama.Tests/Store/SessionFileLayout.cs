using System.Buffers.Binary;

namespace LspLlama.Tests.Store;

/// <summary>
/// Offsets of each region of a stored file, worked out from the file itself, so tests can damage
/// one region at a time.
/// </summary>
internal sealed class SessionFileLayout
{
    public SessionFileLayout(byte[] file, long stateLength, IReadOnlyList<long> checkpointLengths)
    {
        int keyLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(12));
        int keyEnd = 16 + keyLength;
        int tableStart = keyEnd + 8;
        int tableLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(tableStart));
        long stateStart = tableStart + 4 + tableLength + 8;
        long checkpointStart = stateStart + stateLength + 8;
        Regions = new Dictionary<string, (long Start, long Length)>
        {
            ["magic"] = (0, 8),
            ["version"] = (8, 4),
            ["key length"] = (12, 4),
            ["key"] = (16, keyLength),
            ["key checksum"] = (keyEnd, 8),
            ["table length"] = (tableStart, 4),
            ["table"] = (tableStart + 4, tableLength),
            ["table checksum"] = (tableStart + 4 + tableLength, 8),
            ["state"] = (stateStart, stateLength),
            ["state checksum"] = (stateStart + stateLength, 8),
            ["checkpoint"] = (checkpointStart, checkpointLengths[0]),
            ["checkpoint checksum"] = (checkpointStart + checkpointLengths[0], 8),
            ["end"] = (file.Length - 8, 8),
        };
    }

    public IReadOnlyDictionary<string, (long Start, long Length)> Regions { get; }

    public static readonly string[] RegionNames =
    [
        "magic", "version", "key length", "key", "key checksum", "table length", "table", "table checksum",
        "state", "state checksum", "checkpoint", "checkpoint checksum", "end",
    ];
}
